{{/* Chart name, overridable. */}}
{{- define "syncer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name, prefixed with the chart name unless it already contains it. */}}
{{- define "syncer.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "syncer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "syncer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "syncer.labels" -}}
{{ include "syncer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "syncer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "syncer.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "syncer.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Where secrets are mounted: one directory per Secret name. */}}
{{- define "syncer.secretDir" -}}
{{- printf "/var/run/secrets/syncer/%s" . -}}
{{- end -}}

{{/*
The effective target list as YAML ({targets: [...]}): `targets` entries with every missing key
filled from `grafana` / `sync`, or one target "default" built from them. Used by the ConfigMap
(what syncer reads) and the Deployment (which Secrets to mount), so both always agree.
*/}}
{{- define "syncer.targets" -}}
{{- $given := .Values.targets | default (list (dict "name" "default")) -}}
{{- $out := list -}}
{{- range $t := $given -}}
{{- /* Key by key rather than sprig's merge, which would let a default `true` beat an explicit `false`. */ -}}
{{- $g := deepCopy $.Values.grafana -}}
{{- range $k, $v := ($t.grafana | default dict) }}{{- $_ := set $g $k $v -}}{{- end -}}
{{- $s := deepCopy $.Values.sync -}}
{{- range $k, $v := ($t.sync | default dict) }}{{- $_ := set $s $k $v -}}{{- end -}}
{{- $path := ternary $t.path $.Values.sync.path (hasKey $t "path") -}}
{{- $out = append $out (dict "name" $t.name "path" $path "grafana" $g "sync" $s) -}}
{{- end -}}
{{- toYaml (dict "targets" $out) -}}
{{- end -}}

{{/* Names of every Secret the pod mounts (tokens, CAs, the POST /sync token), without duplicates. */}}
{{- define "syncer.secretNames" -}}
{{- $names := list -}}
{{- range $t := (include "syncer.targets" . | fromYaml).targets -}}
{{- $names = append $names $t.grafana.existingSecret -}}
{{- if $t.grafana.caSecret -}}{{- $names = append $names $t.grafana.caSecret -}}{{- end -}}
{{- end -}}
{{- if .Values.daemon.syncTokenSecret -}}{{- $names = append $names .Values.daemon.syncTokenSecret -}}{{- end -}}
{{- toYaml (dict "names" ($names | uniq)) -}}
{{- end -}}
