/** Routes behind login: anonymous visitors are sent to /login and brought back afterwards. */
import { Navigate, Outlet, useLocation } from 'react-router';
import { LoadError, Loading } from '../ui/QueryState';
import { useMe } from './queries';

export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} retry={() => void me.refetch()} />;
  if (!me.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
