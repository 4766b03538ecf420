import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router-dom'
import { router } from './routes.tsx'
import { applyTheme } from './lib/theme.ts'
import './styles.css'

// Before the first render, so a stored dark/light choice never flashes the other theme.
applyTheme()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
)
