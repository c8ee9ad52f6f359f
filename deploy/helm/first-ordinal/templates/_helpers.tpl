{{/* Name of every object: "first-ordinal", or "<release>-first-ordinal". */}}
{{- define "first-ordinal.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "first-ordinal.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "first-ordinal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: first-ordinal
{{- end -}}

{{- define "first-ordinal.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The CA issuer the chart creates when tls.certManager.issuerRef is empty. */}}
{{- define "first-ordinal.issuerRef" -}}
{{- if .Values.tls.certManager.issuerRef.name -}}
name: {{ .Values.tls.certManager.issuerRef.name }}
kind: {{ .Values.tls.certManager.issuerRef.kind | default "Issuer" }}
group: {{ .Values.tls.certManager.issuerRef.group | default "cert-manager.io" }}
{{- else -}}
name: {{ include "first-ordinal.fullname" . }}-ca
kind: Issuer
group: cert-manager.io
{{- end -}}
{{- end -}}

{{/* Pod template labels: the common labels, the selector labels and podLabels, each key once
     (selector labels win, so podLabels cannot break the Deployment's selector). */}}
{{- define "first-ordinal.podLabels" -}}
{{- $labels := merge (dict) (fromYaml (include "first-ordinal.selectorLabels" .)) (fromYaml (include "first-ordinal.labels" .)) (.Values.podLabels | default dict) -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* True when the cluster serves matchConditions (Kubernetes >= 1.28) and they are enabled. */}}
{{- define "first-ordinal.matchConditions" -}}
{{- if and .Values.webhook.matchConditions.enabled (semverCompare ">=1.28.0-0" .Capabilities.KubeVersion.Version) -}}
true
{{- end -}}
{{- end -}}

{{/* True when a PodDisruptionBudget can be satisfied: minAvailable below replicaCount (a
     percentage needs two replicas or more), so a node drain is never blocked for good. */}}
{{- define "first-ordinal.pdbSatisfiable" -}}
{{- $min := .Values.podDisruptionBudget.minAvailable -}}
{{- $replicas := int .Values.replicaCount -}}
{{- if kindIs "string" $min -}}
{{- if gt $replicas 1 }}true{{ end -}}
{{- else if lt (int $min) $replicas -}}
true
{{- end -}}
{{- end -}}

{{- define "first-ordinal.kubectlImage" -}}
{{- printf "%s:%s" .Values.kubectl.image.repository .Values.kubectl.image.tag -}}
{{- end -}}

{{/* webhook (default) or policy: which of the two install modes this release is (docs/policy.md). */}}
{{- define "first-ordinal.mode" -}}
{{- if not (has .Values.mode (list "webhook" "policy")) -}}
{{- fail (printf "mode must be webhook or policy, not %q" .Values.mode) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end -}}
