import { useLab } from '../state/store';

export function SelfTestPanel() {
  const status = useLab((s) => s.selfTestStatus);
  const results = useLab((s) => s.selfTestResults);
  const error = useLab((s) => s.selfTestError);
  const run = useLab((s) => s.runSelfTest);
  const gpuStatus = useLab((s) => s.gpuStatus);
  // The self-test runs on the worker's device, which a sweep is using while it runs (the worker refuses too).
  const sweepRunning = useLab((s) => s.runState !== 'idle');

  return (
    <section className="panel" aria-labelledby="selftest-title" data-testid="selftest-panel">
      <h2 id="selftest-title">GPU self-test</h2>
      <p>Runs every kernel on random inputs in a worker and compares it with its CPU reference.</p>
      <button
        type="button"
        onClick={() => void run()}
        disabled={status === 'running' || gpuStatus !== 'ready' || sweepRunning}
        title={sweepRunning ? 'A sweep is using the GPU: run the self-test when it has finished.' : undefined}
      >
        {status === 'running' ? 'Running…' : 'Run self-test'}
      </button>
      {sweepRunning && status !== 'running' ? <p className="run-hint">Available when the sweep in progress has finished.</p> : null}
      <p className={`verdict ${status}`} data-testid="selftest-status" data-status={status} role="status">
        {status === 'idle' ? 'Not run yet.' : null}
        {status === 'running' ? 'Running kernels on the GPU…' : null}
        {status === 'passed' ? `Passed: ${results.length} of ${results.length} kernels match their references.` : null}
        {status === 'failed' ? `Failed: ${results.filter((r) => !r.passed).length} of ${results.length} kernels disagree with their references.` : null}
        {status === 'error' ? `Error: ${error}` : null}
      </p>
      {results.length ? (
        <table className="results">
          <thead>
            <tr>
              <th>kernel</th>
              <th>result</th>
              <th>ms</th>
              <th>detail</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.kernel} className={r.passed ? 'pass' : 'fail'}>
                <td>
                  <code>{r.kernel}</code>
                </td>
                <td>{r.passed ? 'pass' : 'FAIL'}</td>
                <td>{r.ms.toFixed(0)}</td>
                <td>
                  <pre>{r.detail}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
