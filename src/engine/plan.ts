// The plan: which probes run (the --checks families or --probes ids, plus what they depend on), and
// where: an endpoint probe (and a derived one over endpoint probes) once per endpoint, the rest
// once per target through the first endpoint.
import { runsPerEndpoint, withDependencies, type AnyProbe, type CheckCategory, type Endpoint } from './probe.js';

export interface Task {
  probe: AnyProbe;
  /** Its endpoint; for a target probe the first endpoint, or null when none resolved. */
  endpoint: Endpoint | null;
}

/** The probes a scan runs, in registry order. */
export function selectProbes(registry: readonly AnyProbe[], checks?: ReadonlySet<CheckCategory>): AnyProbe[] {
  return withDependencies(registry.filter((p) => !checks || p.categories.some((c) => checks.has(c))), registry);
}

export function planTasks(probes: readonly AnyProbe[], endpoints: readonly Endpoint[]): Task[] {
  return probes.flatMap((probe) =>
    runsPerEndpoint(probe) ? endpoints.map((endpoint) => ({ probe, endpoint })) : [{ probe, endpoint: endpoints[0] ?? null }],
  );
}
