import type { Route } from '../router.js';
import { Page } from '../components/ui.js';

// Being built (issue 5): replaced before landing.
export function SearchPage(_props: { route: Route }) {
  return <Page title="SearchPage">{null}</Page>;
}
