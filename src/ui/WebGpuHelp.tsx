import { BROWSER_ADVICE } from '../gpu/browser';
import { useLab } from '../state/store';

export function WebGpuHelp() {
  const error = useLab((s) => s.gpuError);
  return (
    <section className="panel help" role="alert" data-testid="webgpu-help">
      <h2>WebGPU is not available</h2>
      <p>{error}</p>
      <p>The lab trains models with WebGPU compute shaders. What to do in your browser:</p>
      <ul>
        {BROWSER_ADVICE.map(({ browser, advice }) => (
          <li key={browser}>
            <strong>{browser}:</strong> {advice}
          </li>
        ))}
      </ul>
      <p>Results shared with you (result URLs, imported files) remain viewable without a GPU.</p>
    </section>
  );
}
