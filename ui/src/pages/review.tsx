import type { Route } from '../router.js';
import { Page } from '../components/ui.js';

// Being built (issue 5): replaced before landing.
export function ReviewPage(_props: { route: Route }) {
  return <Page title="ReviewPage">{null}</Page>;
}
