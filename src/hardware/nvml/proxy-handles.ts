// Device handles that outlive the proxy process that gave them. NVML's handles are pointers in
// the proxy's memory, named there by small numbers in the order it met them, and a restarted
// proxy names them anew. The session holds stable numbers instead, each with the call that found
// its device (by index, by UUID, a MIG slot of a parent, a MIG device's parent): a new proxy is
// asked that call again when the handle is first used after a restart.
import type { Op } from "./proxy-exchange.js";

/** The call that found a device: asked again of a restarted proxy. */
export interface HandleRecipe {
  op: Op;
  /** The stable handle the call names (a MIG device's parent, say); 0 for none. */
  parent: number;
  argument: number;
  text: string;
}

export class StableHandles {
  /** The recipe of stable handle n, at n - 1. */
  private readonly recipes: HandleRecipe[] = [];
  /** Stable handles to the current proxy's, and back. */
  private readonly toProxy = new Map<number, number>();
  private readonly fromProxy = new Map<number, number>();

  /** A new proxy: each handle is found again when next used. */
  newProxy(): void {
    this.toProxy.clear();
    this.fromProxy.clear();
  }

  /** The stable handle of the current proxy's `proxyHandle`, which `recipe` found. */
  adopt(proxyHandle: number, recipe: HandleRecipe): number {
    const known = this.fromProxy.get(proxyHandle);
    if (known !== undefined) return known;
    this.recipes.push(recipe);
    const stable = this.recipes.length;
    this.bind(stable, proxyHandle);
    return stable;
  }

  /** `stable` is `proxyHandle` in the current proxy. */
  bind(stable: number, proxyHandle: number): void {
    this.toProxy.set(stable, proxyHandle);
    this.fromProxy.set(proxyHandle, stable);
  }

  /** The current proxy's handle for `stable`, when it was found in this proxy. */
  proxyHandle(stable: number): number | undefined {
    return this.toProxy.get(stable);
  }

  recipe(stable: number): HandleRecipe | undefined {
    return this.recipes[stable - 1];
  }
}
