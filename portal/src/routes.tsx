import { lazy } from 'react'
import { Link, Navigate, createBrowserRouter } from 'react-router-dom'
import { RequireAuth, Shell } from './components/layout.tsx'
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
      <h3>Page not found</h3>
      <p className="muted">The address does not match any page.</p>
      <div className="empty-action"><Link className="btn" to="/app/overview">Go to the overview</Link></div>
    </div>
  )
}

/** Every page lives under /app/ so no client route can shadow an API path. */
export const router = createBrowserRouter([
  { path: '/', element: <Navigate to="/app/overview" replace /> },
  { path: '/app/login', element: <LoginPage /> },
  { path: '/app/signup', element: <SignupPage /> },
  {
    path: '/app',
    element: <RequireAuth><Shell /></RequireAuth>,
    children: [
      { index: true, element: <Navigate to="/app/overview" replace /> },
      { path: 'overview', element: <OverviewPage /> },
      { path: 'cost', element: <Dashboards kind="cost" /> },
      { path: 'performance', element: <Dashboards kind="performance" /> },
      { path: 'resources', element: <Dashboards kind="resources" /> },
      { path: 'quality', element: <Dashboards kind="quality" /> },
      { path: 'recommendations', element: <Recommendations /> },
      { path: 'recommendations/:id', element: <RecommendationDetail /> },
      { path: 'optimizations/:id', element: <OptimizationDetail /> },
      { path: 'history', element: <History /> },
      { path: 'conflicts', element: <Conflicts /> },
      { path: 'settings', element: <Settings /> },
      { path: 'admin', element: <Admin /> },
      { path: '*', element: <NotFound /> },
    ],
  },
  { path: '*', element: <Navigate to="/app/overview" replace /> },
])
