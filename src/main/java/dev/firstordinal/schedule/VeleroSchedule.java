package dev.firstordinal.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.cli.ManifestYaml;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookScript;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.ordinal.MarkingPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The Velero Schedule of the schedule hook mode: it backs up the pods first-ordinal labelled (with their
 * claims and volumes), and holds the hook itself, so the script exists once per cluster and only backups
 * made from this Schedule run it. Pure.
 *
 * <p>A Schedule hook entry ({@code spec.template.hooks.resources[]}) execs in one named container (Velero's
 * default, the pod's first container, may not be Redis), so there is one entry per container name, each
 * selecting the backup label and {@value ScheduleHook#CONTAINER_LABEL}{@code =<name>}. The command, on-error
 * and timeout are the annotations mode's ({@link HookAnnotations}, {@link HookScript}). Velero runs a pod's
 * own hook annotations instead of these (annotation hooks take priority), so a user's hook still wins.
 *
 * @param name       the Schedule's name
 * @param namespace  Velero's namespace
 * @param cron       the Schedule's cron expression
 * @param containers the container names the hook may run in, one hook entry each
 */
public record VeleroSchedule(String name, String namespace, String cron, List<String> containers) {

    public static final String DEFAULT_NAME = "redis-first-ordinal";
    public static final String DEFAULT_NAMESPACE = "velero";
    public static final String DEFAULT_CRON = "0 3,15 * * *";

    private static final ObjectMapper YAML = ManifestYaml.MAPPER;

    public VeleroSchedule {
        containers = List.copyOf(containers);
        if (containers.isEmpty()) {
            throw new IllegalArgumentException("at least one container name is needed");
        }
        for (String container : containers) {
            if (!MarkingPolicy.isLabelValue(container) || container.isEmpty()) {
                throw new IllegalArgumentException("container name '" + container + "' is not a valid label value");
            }
        }
    }

    /** The Schedule as YAML, with a header saying how it was made. */
    public String yaml(MarkingPolicy policy) {
        try {
            return "# Rendered by `first-ordinal schedule` (hook mode schedule, docs/hook.md#hook-modes); do not edit by hand.\n"
                    + "# Backs up every pod first-ordinal labelled (one per Redis shard) with its claim and volume, after running\n"
                    + "# the hook (the BGSAVE that waits) in the container the pod's " + ScheduleHook.CONTAINER_LABEL + " label names.\n"
                    + "#   kubectl apply -f <this file>\n"
                    + YAML.writeValueAsString(tree(policy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Schedule object. */
    public ObjectNode tree(MarkingPolicy policy) {
        HookAnnotations hook = policy.hook();
        ObjectNode schedule = YAML.createObjectNode();
        schedule.put("apiVersion", "velero.io/v1");
        schedule.put("kind", "Schedule");
        ObjectNode metadata = schedule.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.putObject("labels").put("app.kubernetes.io/part-of", "first-ordinal");
        metadata.putObject("annotations").put(HookAnnotations.IDENTITY, hook.identity());
        ObjectNode spec = schedule.putObject("spec");
        spec.put("schedule", cron);
        spec.put("useOwnerReferencesInBackup", false);
        ObjectNode template = spec.putObject("template");
        template.putArray("includedNamespaces").add("*");
        template.putArray("includedResources").add("pods").add("persistentvolumeclaims").add("persistentvolumes");
        template.putObject("labelSelector").putObject("matchLabels").put(policy.labelKey(), policy.labelValue());
        template.put("snapshotVolumes", true);
        template.put("defaultVolumesToFsBackup", false);
        template.put("ttl", "168h0m0s");
        ArrayNode resources = template.putObject("hooks").putArray("resources");
        for (String container : containers) {
            ObjectNode entry = resources.addObject();
            entry.put("name", "first-ordinal-" + container);
            entry.putArray("includedNamespaces").add("*");
            ObjectNode labels = entry.putObject("labelSelector").putObject("matchLabels");
            labels.put(policy.labelKey(), policy.labelValue());
            labels.put(ScheduleHook.CONTAINER_LABEL, container);
            ObjectNode exec = entry.putArray("pre").addObject().putObject("exec");
            exec.put("container", container);
            ArrayNode command = exec.putArray("command");
            hook.argv().forEach(command::add);
            exec.put("onError", hook.onError());
            exec.put("timeout", hook.timeout());
        }
        return schedule;
    }
}
