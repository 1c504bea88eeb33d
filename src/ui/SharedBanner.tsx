import { useLab } from '../state/store';

function forgetLink(): void {
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
}

/** Shown while results from a share link are in view: whose device, when, and how to check them here. */
export function SharedBanner() {
  const shared = useLab((s) => s.shared);
  const { leaveShared, resumeUnfinished } = useLab.getState(); // actions never change
  // Back to the user's results: a sweep that the link's opening kept from resuming continues now. Either
  // button drops the link's #r=... from the address, so a reload opens the user's own results.
  const leave = () => {
    forgetLink();
    leaveShared();
    void resumeUnfinished();
  };
  const rerunShared = useLab((s) => s.rerunShared);
  const rerun = () => {
    forgetLink();
    return rerunShared();
  };
  const canRun = useLab((s) => s.gpuStatus === 'ready' && s.runState === 'idle');
  if (!shared) return null;
  return (
    <div className="shared-banner" role="status" data-testid="shared-banner">
      <span>
        Shared results, made on <strong>{shared.device}</strong> on <strong>{new Date(shared.date).toLocaleString()}</strong>. Nothing was
        trained here.
      </span>
      <button type="button" onClick={() => void rerun()} disabled={!canRun} title={canRun ? 'Runs the same sweep on this device' : 'Needs a WebGPU device and no run in progress'}>
        Re-run to verify
      </button>
      <button type="button" className="secondary" onClick={leave}>
        Back to my results
      </button>
    </div>
  );
}
