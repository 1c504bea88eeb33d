// One training tab per browser profile. The tab that trains holds a Web Lock for as long as its runner works,
// so a second tab of the lab neither resumes the sweep the first is running (it finds the same unfinished sweep
// in storage: both would train it and write its saved runs) nor starts a run beside it on the same GPU.
// The lock is the browser's: it is released when the training ends or the tab closes or reloads.

const LOCK_NAME = 'plasticity-lab-training';

export const OTHER_TAB_TRAINING =
  'Another tab of this lab is training. Wait for it to finish, or close it: two tabs training at once would share the GPU and write the same saved sweeps.';

/** This tab holds the lock (from when it is granted until it is released). */
let holding = false;

function webLocks(): LockManager | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.locks;
}

/** Runs `work` holding the training lock; false (and `work` not run) while another tab holds it. Without Web
 *  Locks (Node tests, browsers without them) `work` just runs. */
export async function whileTraining(work: () => Promise<void>): Promise<boolean> {
  const locks = webLocks();
  if (!locks) {
    await work();
    return true;
  }
  try {
    return await locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (!lock) return false;
      holding = true;
      await work();
      return true;
    });
  } finally {
    holding = false; // the request settles once the lock is released
  }
}

/** Whether another tab holds the training lock now. */
export async function trainingElsewhere(): Promise<boolean> {
  const locks = webLocks();
  if (!locks || holding) return false;
  try {
    const { held = [] } = await locks.query();
    return held.some((lock) => lock.name === LOCK_NAME);
  } catch {
    return false; // no lock manager to ask (a sandboxed page): a start says so itself
  }
}
