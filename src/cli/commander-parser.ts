// A value parser of values.ts as commander's argParser: the value it refuses is commander's usage
// error, so commander's message names the option and the value.
import { InvalidArgumentError } from "commander";
import { InvalidValueError } from "./values.js";

/** `parse` for commander's argParser: an InvalidValueError becomes commander's InvalidArgumentError. */
export function commanderParser<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw);
    } catch (error) {
      if (error instanceof InvalidValueError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}
