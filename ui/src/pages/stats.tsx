import type { Route } from '../router.js';
import { Page } from '../components/ui.js';

// Being built (issue 5): replaced before landing.
export function StatsPage(_props: { route: Route }) {
  return <Page title="StatsPage">{null}</Page>;
}
