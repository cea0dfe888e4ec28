// Files the operating system opens with the installed app (the manifest's file_handlers; the File
// Handling API, Chromium on desktop): each launch hands its files to <image-inspector>.

interface LaunchParams {
  files: readonly FileSystemFileHandle[];
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}

/** Calls `inspect` with the files of every launch; does nothing where the API is missing. */
export function consumeLaunchFiles(inspect: (files: File[]) => void): void {
  const queue = (window as unknown as { launchQueue?: LaunchQueue }).launchQueue;
  queue?.setConsumer((params) => {
    if (!params.files.length) return;
    void Promise.all(params.files.map((h) => h.getFile())).then(inspect);
  });
}
