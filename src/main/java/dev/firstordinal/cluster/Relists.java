package dev.firstordinal.cluster;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's long-running informers (the StatefulSet cache's, the repairer's), so that a coverage run can wait
 * while one of them lists: after an API-server restart every informer lists its objects again at once, and a
 * coverage run reading pods beside them is what did not fit a 96 MiB heap (issue #31). Process-wide, as the
 * informers are: each one is added when it starts and removed when it stops.
 */
public final class Relists {

    private static final Set<SharedIndexInformer<?>> INFORMERS = ConcurrentHashMap.newKeySet();

    private Relists() {
    }

    public static void add(SharedIndexInformer<?> informer) {
        INFORMERS.add(informer);
    }

    public static void remove(SharedIndexInformer<?> informer) {
        INFORMERS.remove(informer);
    }

    /** How many running informers have no watch open: they are listing (a first list or a relist) or waiting to. */
    public static long listing() {
        return INFORMERS.stream().filter(i -> i.isRunning() && !i.isWatching()).count();
    }
}
