package dev.firstordinal.admission;

/** A request body that is not a usable {@code admission.k8s.io/v1} AdmissionReview: answered with HTTP 400. */
public class BadAdmissionReview extends Exception {

    public BadAdmissionReview(String message) {
        super(oneLine(message), null, false, false);
    }

    static String oneLine(String message) {
        String flat = message == null ? "unreadable request" : message.replaceAll("\\s+", " ").trim();
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }
}
