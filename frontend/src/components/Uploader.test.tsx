import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Api } from "../api/client";
import { BackendDouble, moment } from "../test/backendDouble";
import { Uploader } from "./Uploader";

let backend: BackendDouble;

beforeEach(async () => {
  backend = await new BackendDouble().start();
});
afterEach(() => backend.stop());

function image(name: string, bytes = 2048): File {
  return new File([new Uint8Array(bytes)], name, { type: "image/jpeg" });
}

/** The backend answers by file name: the multipart body names the file. */
function answerByName(replies: Record<string, { status: number; json?: unknown; hangUp?: boolean }>) {
  backend.on("POST", "/api/moments", (request) => {
    const body = request.body.toString("latin1");
    const name = Object.keys(replies).find((n) => body.includes(`filename="${n}"`));
    return name ? replies[name]! : { status: 500 };
  });
}

test("several files at once, each with its own outcome in plain words", async () => {
  answerByName({
    "beach.jpg": { status: 201, json: moment(1) },
    "huge.jpg": { status: 413, json: { detail: "the upload is larger than the limit of 26214400 bytes" } },
    "notes.jpg": { status: 415, json: { detail: "the file is not a JPEG, PNG or WebP image" } },
  });
  const uploaded = vi.fn();
  render(<Uploader api={new Api({ baseUrl: backend.url, token: "t1" })} onUploaded={uploaded} onUnauthorized={vi.fn()} />);

  await userEvent.upload(screen.getByLabelText("Choose images"), [image("beach.jpg"), image("huge.jpg"), image("notes.jpg")]);

  const items = await screen.findAllByTestId("upload-item");
  expect(items).toHaveLength(3);
  await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
  const byName = (name: string) => items.find((item) => item.textContent?.includes(name))!;
  expect(within(byName("huge.jpg")).getByRole("alert").textContent).toBe(
    "huge.jpg is too large to upload. Choose a smaller image.",
  );
  expect(within(byName("notes.jpg")).getByRole("alert").textContent).toBe(
    "notes.jpg is not an image MomentLoop can read. Use a JPEG, PNG or WebP file.",
  );
  await waitFor(() => expect(within(byName("beach.jpg")).getByText("Uploaded")).toBeTruthy());
  expect(uploaded).toHaveBeenCalledTimes(1);
  expect(uploaded.mock.calls[0]![0].id).toBe(moment(1).id);
  // Three requests, each with the session token and the file in the "file" field.
  const posts = backend.calls("POST", "/api/moments");
  expect(posts).toHaveLength(3);
  for (const post of posts) {
    expect(post.headers.authorization).toBe("Bearer t1");
    expect(post.body.toString("latin1")).toMatch(/name="file"; filename="/);
  }
});

test("a signed-out upload says so and ends the session", async () => {
  answerByName({ "late.jpg": { status: 401, json: { detail: "token expired" } } });
  const unauthorized = vi.fn();
  render(<Uploader api={new Api({ baseUrl: backend.url, token: "old" })} onUploaded={vi.fn()} onUnauthorized={unauthorized} />);
  await userEvent.upload(screen.getByLabelText("Choose images"), image("late.jpg"));
  expect((await screen.findByRole("alert")).textContent).toBe(
    "late.jpg was not uploaded because you have been signed out. Sign in again and retry.",
  );
  expect(unauthorized).toHaveBeenCalledTimes(1);
});

test("a network failure is told apart from a server answer", async () => {
  answerByName({ "cut.jpg": { status: 0, hangUp: true } });
  render(<Uploader api={new Api({ baseUrl: backend.url, token: "t" })} onUploaded={vi.fn()} onUnauthorized={vi.fn()} />);
  await userEvent.upload(screen.getByLabelText("Choose images"), image("cut.jpg"));
  expect((await screen.findByRole("alert")).textContent).toBe(
    "cut.jpg could not be sent: the server could not be reached. Check your connection and try again.",
  );
});

test("files dropped on the drop zone are uploaded, with a progress bar each while they go", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  backend.on("POST", "/api/moments", async () => {
    await held;
    return { status: 201, json: moment(backend.calls("POST", "/api/moments").length) };
  });
  const uploaded = vi.fn();
  render(<Uploader api={new Api({ baseUrl: backend.url, token: "t" })} onUploaded={uploaded} onUnauthorized={vi.fn()} />);
  fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [image("a.jpg"), image("b.jpg")] } });

  expect(await screen.findByRole("progressbar", { name: "Upload of a.jpg" })).toBeTruthy();
  expect(screen.getByRole("progressbar", { name: "Upload of b.jpg" })).toBeTruthy();
  await waitFor(() => expect(screen.getByText("Uploading 2 files.")).toBeTruthy());
  release();
  await waitFor(() => expect(uploaded).toHaveBeenCalledTimes(2));
  expect(screen.getAllByText("Uploaded")).toHaveLength(2);
  expect(
    screen.getAllByRole("progressbar").map((bar) => bar.getAttribute("value")),
  ).toEqual(["100", "100"]);
});
