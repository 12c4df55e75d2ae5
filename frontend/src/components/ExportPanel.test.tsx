import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { WebSocket } from "ws";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Api } from "../api/client";
import { BackendDouble } from "../test/backendDouble";
import { ExportPanel } from "./ExportPanel";

const JOB = "11111111-2222-4333-8444-555555555555";
let backend: BackendDouble;
let socket: WebSocket | null;
let socketPath = "";
let socketToken: string | null = null;

beforeEach(async () => {
  socket = null;
  backend = await new BackendDouble()
    .on("POST", "/api/exports", { status: 202, json: { id: JOB, status: "queued" } })
    .onSocket((ws, path, query) => {
      socket = ws;
      socketPath = path;
      socketToken = query.get("token");
    })
    .start();
});
afterEach(() => backend.stop());

function send(event: object) {
  socket!.send(JSON.stringify(event));
}

function renderPanel(selected = ["m-2", "m-1"]) {
  const api = new Api({ baseUrl: backend.url, token: "tok" });
  render(<ExportPanel api={api} selected={selected} onClearSelection={vi.fn()} />);
}

test("progress follows the WebSocket to 100%, then the video plays in the page with a download link", async () => {
  renderPanel();
  await userEvent.click(screen.getByRole("button", { name: "Export video" }));
  await waitFor(() => expect(socket).not.toBeNull());
  expect(socketPath).toBe(`/ws/exports/${JOB}`);
  expect(socketToken).toBe("tok");
  expect(JSON.parse(backend.calls("POST", "/api/exports")[0]!.body.toString())).toEqual({ moment_ids: ["m-2", "m-1"] });

  send({ status: "queued", progress: 0 });
  expect(await screen.findByText("Waiting for a worker: 0%")).toBeTruthy();
  send({ status: "running", progress: 40 });
  expect(await screen.findByText("Rendering: 40%")).toBeTruthy();
  expect(screen.getByRole("progressbar", { name: "Export progress" }).getAttribute("value")).toBe("40");
  expect(screen.getByRole("button", { name: "Exporting…" })).toHaveProperty("disabled", true);

  const video = "/storage/exports/v.mp4?expires=9&signature=cd";
  send({ status: "done", progress: 100, video_url: video });
  expect(await screen.findByText("Your video is ready.")).toBeTruthy();
  expect(screen.getByRole("progressbar", { name: "Export progress" }).getAttribute("value")).toBe("100");
  const player = screen.getByLabelText("Exported video") as HTMLVideoElement;
  expect(player.tagName).toBe("VIDEO");
  expect(player.controls).toBe(true);
  expect(player.getAttribute("src")).toBe(backend.url + video);
  const link = screen.getByRole("link", { name: "Download video" });
  expect(link.getAttribute("href")).toBe(backend.url + video);
  expect(link.hasAttribute("download")).toBe(true);
  await waitFor(() => expect(document.activeElement?.textContent).toBe("Your video"));
});

test("a failed export shows the reason", async () => {
  renderPanel();
  await userEvent.click(screen.getByRole("button", { name: "Export video" }));
  await waitFor(() => expect(socket).not.toBeNull());
  send({ status: "running", progress: 10 });
  send({ status: "failed", progress: 10, error: "ffmpeg could not read an image" });
  expect((await screen.findByRole("alert")).textContent).toBe("The export failed: ffmpeg could not read an image");
  expect(screen.queryByLabelText("Exported video")).toBeNull();
});

test("a socket closed as signed out (4401) says so", async () => {
  renderPanel();
  await userEvent.click(screen.getByRole("button", { name: "Export video" }));
  await waitFor(() => expect(socket).not.toBeNull());
  socket!.close(4401);
  expect((await screen.findByRole("alert")).textContent).toBe(
    "You have been signed out. Sign in again to follow the export.",
  );
});

test("a dropped connection asks the API for the state once", async () => {
  backend.on("GET", `/api/exports/${JOB}`, {
    status: 200,
    json: { id: JOB, status: "done", progress: 100, video_url: "/storage/exports/w.mp4" },
  });
  renderPanel();
  await userEvent.click(screen.getByRole("button", { name: "Export video" }));
  await waitFor(() => expect(socket).not.toBeNull());
  send({ status: "running", progress: 50 });
  await screen.findByText("Rendering: 50%");
  socket!.terminate();
  expect(await screen.findByText("Your video is ready.")).toBeTruthy();
  expect(backend.calls("GET", `/api/exports/${JOB}`)).toHaveLength(1);
});

test("nothing selected: the export button is disabled and says why", () => {
  renderPanel([]);
  expect(screen.getByRole("button", { name: "Export video" })).toHaveProperty("disabled", true);
  expect(screen.getByText("Select moments in the grid, in the order they should appear.")).toBeTruthy();
});
