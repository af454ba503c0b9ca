// @tgwf/co2 ships no type declarations; these cover the two data modules we read.
declare module "@tgwf/co2/data/electricity-maps" {
  type Yearly = { data: Record<string, unknown>; methodology: string };
  export const yearly2021: Yearly;
  export const yearly2022: Yearly;
  export const yearly2023: Yearly;
  export const yearly2024: Yearly;
  export const yearly2025: Yearly;
}
declare module "@tgwf/co2/data" {
  export const averageIntensity: { data: Record<string, number>; type: string };
}
