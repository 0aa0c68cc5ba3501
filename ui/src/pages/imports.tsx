import type { Route } from '../router.js';
import { Page } from '../components/ui.js';

// Being built (issue 5): replaced before landing.
export function ImportsPage(_props: { route: Route }) {
  return <Page title="ImportsPage">{null}</Page>;
}
