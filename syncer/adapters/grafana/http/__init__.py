"""HTTP to Grafana: `GrafanaHttp` (auth, retries, error mapping) on an httpx client over aiohttp.
Used by both Grafana adapters (legacy, resources), discovery and datasources.
It must not know dashboards or folders: it moves requests and classifies failures."""
