import { useEffect } from 'react';
import { useLab } from '../state/store';
import { CorpusPanel } from './CorpusPanel';
import { DevicePanel } from './DevicePanel';
import { LabSection } from './LabSection';
import { NoticeBar } from './NoticeBar';
import { SavedSweepsPanel } from './SavedSweepsPanel';
import { SelfTestPanel } from './SelfTestPanel';
import { ShareBar } from './ShareBar';
import { SharedBanner } from './SharedBanner';
import { VerifyPanel } from './VerifyPanel';
import { WebGpuHelp } from './WebGpuHelp';

export function App() {
  const gpuStatus = useLab((s) => s.gpuStatus);

  useEffect(() => {
    const { connectGpu, restoreSaved, applyUrl } = useLab.getState();
    const onLinkChange = () => applyUrl(location.href);
    window.addEventListener('hashchange', onLinkChange);
    window.addEventListener('popstate', onLinkChange);
    void (async () => {
      await Promise.all([connectGpu(), restoreSaved()]);
      // A sweep interrupted by a reload or a crash continues from its last checkpoint.
      await useLab.getState().resumeUnfinished();
    })();
    return () => {
      window.removeEventListener('hashchange', onLinkChange);
      window.removeEventListener('popstate', onLinkChange);
    };
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Plasticity Lab</h1>
        <p className="tagline">
          Pretrain tiny Llama-style language models on your own GPU under different weight decays, fine-tune each on new tasks,
          and see which ones can still learn (after <a href="https://arxiv.org/abs/2602.11137">Han et al., 2026</a>).
        </p>
      </header>
      <NoticeBar />
      <SharedBanner />
      <main className="panels">
        {gpuStatus === 'unavailable' || gpuStatus === 'error' ? <WebGpuHelp /> : null}
        <VerifyPanel />
        <LabSection />
        <ShareBar />
        <SavedSweepsPanel />
        <DevicePanel />
        <SelfTestPanel />
        <CorpusPanel />
      </main>
    </div>
  );
}
