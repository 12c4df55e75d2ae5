// One file upload with XMLHttpRequest (fetch has no upload progress), its errors in plain words.

import type { Moment } from "./client";

export interface UploadCallbacks {
  onProgress: (fraction: number) => void;
  onUnauthorized?: () => void;
}

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/** What went wrong with `fileName`, for a person (status 0: the request never got an answer). */
export function uploadErrorMessage(status: number, fileName: string): string {
  switch (status) {
    case 0:
      return `${fileName} could not be sent: the server could not be reached. Check your connection and try again.`;
    case 401:
      return `${fileName} was not uploaded because you have been signed out. Sign in again and retry.`;
    case 413:
      return `${fileName} is too large to upload. Choose a smaller image.`;
    case 415:
      return `${fileName} is not an image MomentLoop can read. Use a JPEG, PNG or WebP file.`;
    case 502:
    case 503:
    case 504:
      return `${fileName} could not be stored right now: the server is unavailable. Please try again in a moment.`;
    default:
      return `${fileName} could not be uploaded (server error ${status}). Please try again.`;
  }
}

export function uploadMoment(
  url: string,
  token: string | undefined,
  file: File,
  callbacks: UploadCallbacks,
): { promise: Promise<Moment>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Moment>((resolve, reject) => {
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) callbacks.onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 201 || xhr.status === 200) {
        callbacks.onProgress(1);
        try {
          resolve(JSON.parse(xhr.responseText) as Moment);
        } catch {
          reject(new UploadError(xhr.status, uploadErrorMessage(500, file.name)));
        }
        return;
      }
      if (xhr.status === 401) callbacks.onUnauthorized?.();
      reject(new UploadError(xhr.status, uploadErrorMessage(xhr.status, file.name)));
    });
    xhr.addEventListener("error", () => reject(new UploadError(0, uploadErrorMessage(0, file.name))));
    xhr.addEventListener("abort", () => reject(new UploadError(-1, `${file.name}: upload cancelled.`)));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
