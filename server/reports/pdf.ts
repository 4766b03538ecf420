/**
 * PDF from the report's HTML through headless Chromium (playwright-core drives the system
 * browser). Where no browser is installed the caller answers 503: we do not hand-write PDFs.
 */
import { existsSync } from 'node:fs'

/** Where the system Chromium is expected. */
export const CHROMIUM_PATH = process.env.OPTIINFRA_CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Whether a PDF can be rendered on this host. */
export function pdfAvailable(): boolean { return existsSync(CHROMIUM_PATH) }

/** Renders self-contained HTML to an A4 PDF. */
export async function htmlToPdf(html: string): Promise<Buffer> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  try {
    const page = await browser.newPage({ javaScriptEnabled: false })
    // the page has no external assets, so nothing is fetched; block any request regardless
    await page.route('**/*', (route) => route.abort())
    await page.setContent(html, { waitUntil: 'load' })
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } })
  } finally {
    await browser.close()
  }
}
