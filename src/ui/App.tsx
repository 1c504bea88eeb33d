import { useEffect } from 'react';
import { useLab } from '../state/store';
import { CorpusPanel } from './CorpusPanel';
import { DevicePanel } from './DevicePanel';
import { SelfTestPanel } from './SelfTestPanel';
import { WebGpuHelp } from './WebGpuHelp';

export function App() {
  const connectGpu = useLab((s) => s.connectGpu);
  const gpuStatus = useLab((s) => s.gpuStatus);
  useEffect(() => void connectGpu(), [connectGpu]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Plasticity Lab</h1>
        <p className="tagline">
          Train tiny Llama-style language models on your own GPU and watch how pretraining weight decay changes what they can
          still learn.
        </p>
      </header>
      <main className="panels">
        {gpuStatus === 'unavailable' || gpuStatus === 'error' ? <WebGpuHelp /> : null}
        <DevicePanel />
        <SelfTestPanel />
        <CorpusPanel />
      </main>
    </div>
  );
}
