// On a cloud instance the metadata service names the region, which fixes the grid. The three
// providers are asked at once with a short time-out; off-cloud nothing answers and the race
// ends after that time-out, in the background.
import { IntensityFetchError } from "../../errors/index.js";
import { httpGet, type HttpConfig } from "../http/http-get.js";
import type { CloudProvider } from "./cloud-regions.js";

/** Metadata service bases, overridable for tests and unusual networks. */
export interface CloudMetadataUrls {
  /** AWS IMDS base (env CARBONTRACKER_AWS_METADATA_URL), default `http://169.254.169.254`. */
  aws: string;
  /** GCP metadata base (env CARBONTRACKER_GCP_METADATA_URL), default `http://metadata.google.internal`. */
  gcp: string;
  /** Azure IMDS base (env CARBONTRACKER_AZURE_METADATA_URL), default `http://169.254.169.254`. */
  azure: string;
}

/** Default metadata bases. */
export const DEFAULT_CLOUD_METADATA_URLS: CloudMetadataUrls = {
  aws: "http://169.254.169.254",
  gcp: "http://metadata.google.internal",
  azure: "http://169.254.169.254",
};

/** A cloud region, as the provider names it. */
export interface CloudRegion {
  provider: CloudProvider;
  region: string;
}

const SOURCE = "cloud-metadata";

/** AWS IMDSv2 (token, then region), falling back to IMDSv1 where the token call is refused. */
async function awsRegion(http: HttpConfig, base: string, signal: AbortSignal): Promise<CloudRegion> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await httpGet(http, {
      url: `${base}/latest/api/token`,
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
      source: SOURCE,
      signal,
      retries: 0,
    });
    const headers: Record<string, string> = token.ok ? { "X-aws-ec2-metadata-token": token.text.trim() } : {};
    const answer = await httpGet(http, {
      url: `${base}/latest/meta-data/placement/region`,
      headers,
      source: SOURCE,
      signal,
      retries: 0,
    });
    const region = answer.text.trim();
    if (answer.ok && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return { provider: "aws", region };
    // A token refused as expired is fetched once more.
    if (!(answer.status === 401 && token.ok)) break;
  }
  throw new IntensityFetchError(SOURCE, "not AWS");
}

/** GCP: `projects/<n>/zones/<zone>`, answered with the `Metadata-Flavor: Google` header. */
async function gcpRegion(http: HttpConfig, base: string, signal: AbortSignal): Promise<CloudRegion> {
  const answer = await httpGet(http, {
    url: `${base}/computeMetadata/v1/instance/zone`,
    headers: { "Metadata-Flavor": "Google" },
    source: SOURCE,
    signal,
    retries: 0,
  });
  const zone = /projects\/\d+\/zones\/([a-z0-9-]+)/.exec(answer.text.trim())?.[1];
  if (!answer.ok || answer.headers.get("metadata-flavor") !== "Google" || !zone) {
    throw new IntensityFetchError(SOURCE, "not GCP");
  }
  return { provider: "gcp", region: zone.replace(/-[a-z]$/, "") };
}

/** Azure: `compute/location` as text (needs the `Metadata: true` header). */
async function azureRegion(http: HttpConfig, base: string, signal: AbortSignal): Promise<CloudRegion> {
  const answer = await httpGet(http, {
    url: `${base}/metadata/instance/compute/location?api-version=2021-02-01&format=text`,
    headers: { Metadata: "true" },
    source: SOURCE,
    signal,
    retries: 0,
  });
  const region = answer.text.trim();
  if (!answer.ok || !/^[A-Za-z0-9]+$/.test(region)) throw new IntensityFetchError(SOURCE, "not Azure");
  return { provider: "azure", region: region.toLowerCase() };
}

/**
 * Asks AWS, GCP and Azure metadata services at once (each within `timeoutS` seconds) and returns
 * the first region named, or undefined when none answers; the losers are aborted.
 */
export async function detectCloudRegion(
  http: HttpConfig,
  urls: CloudMetadataUrls,
  timeoutS: number,
  signal?: AbortSignal,
): Promise<CloudRegion | undefined> {
  const race = new AbortController();
  const combined = signal ? AbortSignal.any([signal, race.signal]) : race.signal;
  const config: HttpConfig = { ...http, timeoutS, retries: 0 };
  const strip = (url: string): string => url.replace(/\/+$/, "");
  try {
    return await Promise.any([
      awsRegion(config, strip(urls.aws), combined),
      gcpRegion(config, strip(urls.gcp), combined),
      azureRegion(config, strip(urls.azure), combined),
    ]);
  } catch {
    return undefined;
  } finally {
    race.abort();
  }
}
