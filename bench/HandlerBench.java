import dev.firstordinal.admission.AdmissionReviewHandler;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hot path alone, in process: CPU time and bytes allocated per AdmissionReview answered by
 * AdmissionReviewHandler (parse, decide, patch, encode), without TLS or HTTP. Thread CPU time, so
 * other load on the machine does not change the figure much. Bounded: a fixed number of calls.
 *
 *   java -cp <app jar and its libs> bench/HandlerBench.java review.json...
 */
public class HandlerBench {

    public static void main(String[] args) throws Exception {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (String file : args) {
            byte[] body = Files.readAllBytes(Path.of(file));
            long sink = 0;
            for (int i = 0; i < 20_000; i++) {
                sink += handler.handle(body).body().length;
            }
            int calls = 50_000;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long bytes0 = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < calls; i++) {
                sink += handler.handle(body).body().length;
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long bytes = threads.getThreadAllocatedBytes(id) - bytes0;
            System.out.printf("%s cpu_us=%.1f alloc_kib=%.1f (%d)%n", Path.of(file).getFileName(),
                    cpu / 1000.0 / calls, bytes / 1024.0 / calls, sink % 10);
        }
    }
}
