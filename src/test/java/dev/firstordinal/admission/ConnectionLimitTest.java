package dev.firstordinal.admission;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Who makes room at the connection cap, and the per-source rate, on Netty's embedded channels. */
class ConnectionLimitTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConnectionLimit limit = new ConnectionLimit(3, SourceRate.UNLIMITED, registry);

    private EmbeddedChannel connect() {
        return connect(limit);
    }

    private static EmbeddedChannel connect(ConnectionLimit to) {
        return new EmbeddedChannel(new ConnectionDeadline(to, TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(30), null));
    }

    private static ConnectionDeadline deadline(EmbeddedChannel channel) {
        return channel.pipeline().get(ConnectionDeadline.class);
    }

    /** A request came and was answered: the connection is idle from now. */
    private static void served(EmbeddedChannel channel) {
        deadline(channel).requestStarted();
        deadline(channel).requestEnded();
        channel.runPendingTasks();
    }

    @Test
    void atTheCapAConnectionJustOpenedIsSparedAndTheLongestIdleGoes() {
        EmbeddedChannel idle = connect();
        served(idle);
        EmbeddedChannel justOpened = connect();
        EmbeddedChannel alsoJustOpened = connect();
        EmbeddedChannel newcomer = connect();

        assertThat(newcomer.isActive()).isTrue();
        assertThat(idle.isActive()).as("idle since its answer, older than the new ones' grace").isFalse();
        assertThat(justOpened.isActive()).as("still within its grace: perhaps in its TLS handshake").isTrue();
        assertThat(alsoJustOpened.isActive()).isTrue();
        assertThat(registry.counter(ConnectionGuard.EVICTED).count()).isEqualTo(1.0);
    }

    /**
     * Vert.x's h2c upgrade removes every handler but its HTTP/2 one from the pipeline, this one included: the slot is
     * freed when the channel closes all the same. Before, it was freed on channelInactive, which a removed handler
     * never sees: the management port's cap filled with closed connections.
     */
    @Test
    void aConnectionLeavesTheCapWhenItClosesEvenAfterItsHandlerWasTakenOutOfThePipeline() {
        EmbeddedChannel upgraded = connect();
        assertThat(limit.open()).isEqualTo(1);
        upgraded.pipeline().remove(ConnectionDeadline.class);
        upgraded.close();
        upgraded.runPendingTasks();
        assertThat(limit.open()).isZero();
        assertThat(registry.get(ConnectionGuard.CONNECTIONS).gauge().value()).isZero();
    }

    @Test
    void pastTheirGraceSilentConnectionsGoOldestFirst() throws Exception {
        ConnectionLimit noGrace = new ConnectionLimit(3, SourceRate.UNLIMITED, new SimpleMeterRegistry(), 0);
        List<EmbeddedChannel> silent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            silent.add(connect(noGrace));
            Thread.sleep(2);
        }

        EmbeddedChannel newcomer = connect(noGrace);

        assertThat(newcomer.isActive()).isTrue();
        assertThat(silent.get(0).isActive()).isFalse();
        assertThat(silent.get(1).isActive()).isTrue();
        assertThat(silent.get(2).isActive()).isTrue();
    }

    @Test
    void atTheCapWithEveryConnectionServedTheLongestIdleGoes() throws Exception {
        List<EmbeddedChannel> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel channel = connect();
            served(channel);
            idle.add(channel);
            Thread.sleep(2); // distinct idle-since times
        }
        served(idle.get(0)); // the first one was used again: now the second has been idle the longest

        EmbeddedChannel newcomer = connect();

        assertThat(newcomer.isActive()).as("before: refused while all had sent a request").isTrue();
        assertThat(idle.get(1).isActive()).isFalse();
        assertThat(idle.get(0).isActive()).isTrue();
        assertThat(idle.get(2).isActive()).isTrue();
    }

    @Test
    void atTheCapWithEveryConnectionInARequestTheNewOneIsRefused() {
        List<EmbeddedChannel> busy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel channel = connect();
            deadline(channel).requestStarted();
            busy.add(channel);
        }

        EmbeddedChannel newcomer = connect();

        assertThat(newcomer.isActive()).isFalse();
        assertThat(busy).allMatch(EmbeddedChannel::isActive);
        assertThat(registry.counter(ConnectionGuard.REFUSED, "reason", "limit").count()).isEqualTo(1.0);
        assertThat(limit.open()).isEqualTo(3);
    }

    @Test
    void aSourcePastItsRateIsRefusedAndAnotherSourceIsNot() {
        AtomicLong now = new AtomicLong();
        SourceRate rate = new SourceRate(2, now::get);
        InetSocketAddress attacker = new InetSocketAddress("127.0.0.2", 40000);
        InetSocketAddress apiServer = new InetSocketAddress("127.0.0.1", 40000);

        assertThat(rate.tryAcquire(attacker)).isTrue();
        assertThat(rate.tryAcquire(attacker)).isTrue();
        assertThat(rate.tryAcquire(attacker)).as("burst spent").isFalse();
        assertThat(rate.tryAcquire(apiServer)).isTrue();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // half a second: one more at 2 a second
        assertThat(rate.tryAcquire(attacker)).isTrue();
        assertThat(rate.tryAcquire(attacker)).isFalse();
        assertThat(SourceRate.UNLIMITED.tryAcquire(attacker)).isTrue();
    }
}
