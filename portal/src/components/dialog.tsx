import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A modal built on the native `<dialog>`: the browser traps focus, Escape closes it, and the rest of
 * the page is inert while it is open.
 */
export function Dialog({ open, onClose, title, children, actions, testid }: {
  open: boolean; onClose: () => void; title: string; children: ReactNode; actions: ReactNode; testid?: string
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) d.showModal()
    if (!open && d.open) d.close()
  }, [open])
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={testid ? `${testid}-title` : undefined}
      data-testid={testid}
      onClose={onClose}
      onCancel={(e) => { e.preventDefault(); onClose() }}
    >
      <form method="dialog" className="dialog-body" onSubmit={(e) => e.preventDefault()}>
        <h2 id={testid ? `${testid}-title` : undefined}>{title}</h2>
        <div className="dialog-content">{children}</div>
        <div className="dialog-actions">{actions}</div>
      </form>
    </dialog>
  )
}
