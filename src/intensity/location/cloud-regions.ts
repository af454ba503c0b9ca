// A cloud region says where the machine's power comes from better than an IP address does
// (cloud egress IPs are often registered elsewhere). Region → Electricity Maps zone, by the
// region's documented city; regions not listed fall back to IP geolocation.

/** Cloud providers whose metadata service we ask. */
export type CloudProvider = "aws" | "gcp" | "azure";

const AWS: Record<string, string> = {
  "us-east-1": "US-MIDA-PJM",
  "us-east-2": "US-MIDA-PJM",
  "us-west-1": "US-CAL-CISO",
  "us-west-2": "US-NW-BPAT",
  "ca-central-1": "CA-QC",
  "ca-west-1": "CA-AB",
  "sa-east-1": "BR-CS",
  "eu-west-1": "IE",
  "eu-west-2": "GB",
  "eu-west-3": "FR",
  "eu-central-1": "DE",
  "eu-central-2": "CH",
  "eu-north-1": "SE-SE3",
  "eu-south-1": "IT-NO",
  "eu-south-2": "ES",
  "ap-northeast-1": "JP-TK",
  "ap-northeast-2": "KR",
  "ap-northeast-3": "JP-KN",
  "ap-southeast-1": "SG",
  "ap-southeast-2": "AU-NSW",
  "ap-southeast-3": "ID",
  "ap-southeast-4": "AU-VIC",
  "ap-south-1": "IN-WE",
  "ap-south-2": "IN-SO",
  "ap-east-1": "HK",
  "me-south-1": "BH",
  "me-central-1": "AE",
  "il-central-1": "IL",
  "af-south-1": "ZA",
};

const GCP: Record<string, string> = {
  "us-central1": "US-MIDW-MISO",
  "us-east1": "US-CAR-SCEG",
  "us-east4": "US-MIDA-PJM",
  "us-east5": "US-MIDA-PJM",
  "us-south1": "US-TEX-ERCO",
  "us-west1": "US-NW-BPAT",
  "us-west2": "US-CAL-LDWP",
  "us-west3": "US-NW-PACE",
  "us-west4": "US-NW-NEVP",
  "northamerica-northeast1": "CA-QC",
  "northamerica-northeast2": "CA-ON",
  "southamerica-east1": "BR-CS",
  "southamerica-west1": "CL-SEN",
  "europe-west1": "BE",
  "europe-west2": "GB",
  "europe-west3": "DE",
  "europe-west4": "NL",
  "europe-west6": "CH",
  "europe-west8": "IT-NO",
  "europe-west9": "FR",
  "europe-west10": "DE",
  "europe-west12": "IT-NO",
  "europe-north1": "FI",
  "europe-central2": "PL",
  "europe-southwest1": "ES",
  "asia-east1": "TW",
  "asia-east2": "HK",
  "asia-northeast1": "JP-TK",
  "asia-northeast2": "JP-KN",
  "asia-northeast3": "KR",
  "asia-south1": "IN-WE",
  "asia-south2": "IN-NO",
  "asia-southeast1": "SG",
  "asia-southeast2": "ID",
  "australia-southeast1": "AU-NSW",
  "australia-southeast2": "AU-VIC",
  "me-west1": "IL",
  "me-central1": "QA",
  "africa-south1": "ZA",
};

const AZURE: Record<string, string> = {
  eastus: "US-MIDA-PJM",
  eastus2: "US-MIDA-PJM",
  centralus: "US-MIDW-MISO",
  northcentralus: "US-MIDW-MISO",
  southcentralus: "US-TEX-ERCO",
  westcentralus: "US-NW-PACE",
  westus: "US-CAL-CISO",
  westus2: "US-NW-BPAT",
  westus3: "US-SW-AZPS",
  canadacentral: "CA-ON",
  canadaeast: "CA-QC",
  brazilsouth: "BR-CS",
  northeurope: "IE",
  westeurope: "NL",
  uksouth: "GB",
  ukwest: "GB",
  francecentral: "FR",
  germanywestcentral: "DE",
  switzerlandnorth: "CH",
  norwayeast: "NO-NO1",
  swedencentral: "SE-SE3",
  polandcentral: "PL",
  italynorth: "IT-NO",
  spaincentral: "ES",
  eastasia: "HK",
  southeastasia: "SG",
  japaneast: "JP-TK",
  japanwest: "JP-KN",
  koreacentral: "KR",
  centralindia: "IN-WE",
  southindia: "IN-SO",
  australiaeast: "AU-NSW",
  australiasoutheast: "AU-VIC",
  uaenorth: "AE",
  southafricanorth: "ZA",
  qatarcentral: "QA",
  israelcentral: "IL",
};

const TABLES: Record<CloudProvider, Record<string, string>> = { aws: AWS, gcp: GCP, azure: AZURE };

/** The Electricity Maps zone of a cloud region (`eu-north-1` → `SE-SE3`), or undefined when not listed. */
export function zoneOfCloudRegion(provider: CloudProvider, region: string): string | undefined {
  return TABLES[provider][region.trim().toLowerCase()];
}

/** The ISO alpha-2 country of an Electricity Maps zone (`US-CAL-CISO` → `US`). */
export function countryOfZone(zone: string): string {
  return (zone.split("-")[0] as string).toUpperCase();
}
