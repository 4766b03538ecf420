import { lazy } from 'react'
import { Link, Navigate, createBrowserRouter } from 'react-router-dom'
import { RequireAuth, Shell } from './components/layout.tsx'
import { RouteError } from './components/route-error.tsx'
import { LoginPage, SignupPage } from './pages/auth.tsx'
import OverviewPage from './pages/overview.tsx'

// The overview ships in the first bundle (it is the landing page); the rest load on demand.
const Dashboards = lazy(() => import('./pages/dashboards.tsx'))
const Recommendations = lazy(() => import('./pages/recommendations.tsx'))
const RecommendationDetail = lazy(() => import('./pages/recommendation-detail.tsx'))
const OptimizationDetail = lazy(() => import('./pages/optimization-detail.tsx'))
const History = lazy(() => import('./pages/history.tsx'))
const Conflicts = lazy(() => import('./pages/conflicts.tsx'))
const Settings = lazy(() => import('./pages/settings.tsx'))
const Admin = lazy(() => import('./pages/admin.tsx'))

function NotFound() {
  return (
    <div className="empty" data-testid="page-not-found">
      <div className="empty-icon" aria-hidden="true">?</div>
      <h1>Page not found</h1>
      <p className="muted">The address does not match any page.</p>
      <div className="empty-action"><Link className="btn" to="/app/overview">Go to the overview</Link></div>
    </div>
  )
}

/** Every page lives under /app/ so no client route can shadow an API path. */
export const router = createBrowserRouter([
  { path: '/', element: <Navigate to="/app/overview" replace />, errorElement: <RouteError /> },
  { path: '/app/login', element: <LoginPage />, errorElement: <RouteError /> },
  { path: '/app/signup', element: <SignupPage />, errorElement: <RouteError /> },
  {
    path: '/app',
    element: <RequireAuth><Shell /></RequireAuth>,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/app/overview" replace />, errorElement: <RouteError /> },
      { path: 'overview', element: <OverviewPage />, errorElement: <RouteError /> },
      { path: 'cost', element: <Dashboards kind="cost" />, errorElement: <RouteError /> },
      { path: 'performance', element: <Dashboards kind="performance" />, errorElement: <RouteError /> },
      { path: 'resources', element: <Dashboards kind="resources" />, errorElement: <RouteError /> },
      { path: 'quality', element: <Dashboards kind="quality" />, errorElement: <RouteError /> },
      { path: 'recommendations', element: <Recommendations />, errorElement: <RouteError /> },
      { path: 'recommendations/:id', element: <RecommendationDetail />, errorElement: <RouteError /> },
      { path: 'optimizations/:id', element: <OptimizationDetail />, errorElement: <RouteError /> },
      { path: 'history', element: <History />, errorElement: <RouteError /> },
      { path: 'conflicts', element: <Conflicts />, errorElement: <RouteError /> },
      { path: 'settings', element: <Settings />, errorElement: <RouteError /> },
      { path: 'admin', element: <Admin />, errorElement: <RouteError /> },
      { path: '*', element: <NotFound />, errorElement: <RouteError /> },
    ],
  },
  { path: '*', element: <Navigate to="/app/overview" replace />, errorElement: <RouteError /> },
])
