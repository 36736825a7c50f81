// First: configures zod before any schema is built (see app/zod.ts).
import './app/zod';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './app/api';
import { App } from './app/App';
import { keys } from './app/queries';
import { I18nProvider } from './i18n';
import './styles.css';

/** A session that ended (expired, revoked from another device) sends the user back to the login page. */
function onApiError(error: unknown) {
  if (error instanceof ApiError && error.code === 'unauthenticated') queryClient.setQueryData(keys.me, null);
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a network hiccup or a 5xx may.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
