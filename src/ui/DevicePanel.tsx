import { describeAdapter } from '../gpu/adapter';
import { useLab } from '../state/store';

const LIMIT_LABELS: Record<string, string> = {
  maxBufferSize: 'max buffer',
  maxStorageBufferBindingSize: 'max storage binding',
  maxComputeWorkgroupStorageSize: 'workgroup memory',
  maxComputeInvocationsPerWorkgroup: 'invocations / workgroup',
  maxStorageBuffersPerShaderStage: 'storage buffers / stage',
  maxComputeWorkgroupsPerDimension: 'workgroups / dimension',
};

function formatLimit(name: string, value: number): string {
  if (name.endsWith('Size') && value >= 1024) {
    const mib = value / 2 ** 20;
    return mib >= 1 ? `${mib.toFixed(0)} MiB` : `${(value / 1024).toFixed(0)} KiB`;
  }
  return value.toLocaleString('en-US');
}

export function DevicePanel() {
  const status = useLab((s) => s.gpuStatus);
  const adapter = useLab((s) => s.adapter);
  const faults = useLab((s) => s.faults);

  return (
    <section className="panel" aria-labelledby="device-title" data-testid="device-panel" data-status={status}>
      <h2 id="device-title">GPU device</h2>
      {status === 'acquiring' || status === 'idle' ? <p>Looking for a WebGPU adapter…</p> : null}
      {adapter ? (
        <>
          <p className="adapter-name" data-testid="adapter-name" data-adapter={describeAdapter(adapter)}>
            {describeAdapter(adapter)}
            {adapter.isFallbackAdapter ? <span className="badge warn">software fallback</span> : null}
          </p>
          <dl className="facts">
            <dt>vendor</dt>
            <dd>{adapter.vendor || '—'}</dd>
            <dt>architecture</dt>
            <dd>{adapter.architecture || '—'}</dd>
            <dt>description</dt>
            <dd>{adapter.description || '—'}</dd>
            {Object.entries(adapter.limits)
              .filter(([name]) => name in LIMIT_LABELS)
              .map(([name, value]) => (
                <LimitRow key={name} name={name} value={value} />
              ))}
          </dl>
          <p className="features">
            <strong>features</strong>{' '}
            {adapter.features.map((f) => (
              <code key={f}>{f}</code>
            ))}
          </p>
        </>
      ) : null}
      {faults.length ? (
        <div className="faults" role="alert" data-testid="gpu-faults">
          <h3>GPU errors</h3>
          <ul>
            {faults.map((f, i) => (
              <li key={i}>
                <strong>{f.kind}</strong> in <code>{f.label}</code>: <pre>{f.message}</pre>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function LimitRow({ name, value }: { name: string; value: number }) {
  return (
    <>
      <dt>{LIMIT_LABELS[name]}</dt>
      <dd>{formatLimit(name, value)}</dd>
    </>
  );
}
