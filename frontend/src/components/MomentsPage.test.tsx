import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Api } from "../api/client";
import { BackendDouble, moment } from "../test/backendDouble";
import { installIntersectionObserver, scrollIntoView } from "../test/intersection";
import { MomentsPage } from "./MomentsPage";

const ALL = Array.from({ length: 30 }, (_, i) => moment(i));
let backend: BackendDouble;

/** Cursor paging like the API's: the cursor is the index of the next item. */
function servePages(items = ALL) {
  backend.on("GET", "/api/moments", (request) => {
    const limit = Number(request.query.get("limit"));
    const start = Number(request.query.get("cursor") ?? 0);
    const page = items.slice(start, start + limit);
    const next = start + limit < items.length ? String(start + limit) : null;
    return { status: 200, json: { items: page, next_cursor: next } };
  });
}

/** The page in view has finished loading (the grid observes again only then). */
async function pageLoaded(count: number) {
  await waitFor(() => expect(screen.getAllByTestId("moment")).toHaveLength(count));
  await waitFor(() => expect(screen.queryByText("Loading moments…")).toBeNull());
}

function renderPage() {
  const api = new Api({ baseUrl: backend.url, token: "t" });
  return render(<MomentsPage api={api} name="ada" onSignOut={vi.fn()} onUnauthorized={vi.fn()} pageSize={12} />);
}

beforeEach(async () => {
  installIntersectionObserver();
  backend = await new BackendDouble().start();
});
afterEach(() => backend.stop());

test("the next page loads when the end of the grid comes into view, until there is no cursor", async () => {
  servePages();
  renderPage();
  await pageLoaded(12);

  scrollIntoView();
  await pageLoaded(24);
  scrollIntoView();
  await pageLoaded(30);
  expect(scrollIntoView()).toBe(0); // nothing left to load: the grid stopped observing

  const cursors = backend.calls("GET", "/api/moments").map((r) => r.query.get("cursor"));
  expect(cursors).toEqual([null, "12", "24"]);
  const images = screen.getAllByRole("img") as HTMLImageElement[];
  expect(images[0]!.src).toBe(`${backend.url}${ALL[0]!.thumbnail_url}`);
  expect(images[29]!.src).toBe(`${backend.url}${ALL[29]!.thumbnail_url}`);
  expect(screen.queryByRole("button", { name: "Load more moments" })).toBeNull();
});

test("a keyboard user can load more without scrolling", async () => {
  servePages();
  renderPage();
  await userEvent.click(await screen.findByRole("button", { name: "Load more moments" }));
  await waitFor(() => expect(screen.getAllByTestId("moment")).toHaveLength(24));
});

test("delete asks first; Escape keeps the moment, Delete removes it and focus returns", async () => {
  servePages(ALL.slice(0, 3));
  backend.on("DELETE", `/api/moments/${ALL[1]!.id}`, { status: 204 });
  renderPage();
  await waitFor(() => expect(screen.getAllByTestId("moment")).toHaveLength(3));
  const deleteButtons = screen.getAllByRole("button", { name: /^Delete moment \d of 3/ });

  await userEvent.click(deleteButtons[1]!);
  const dialog = screen.getByRole("alertdialog", { name: "Delete this moment?" });
  expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
  await userEvent.tab();
  expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Delete" }));
  await userEvent.tab(); // focus stays in the dialog
  expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
  await userEvent.keyboard("{Escape}");
  expect(screen.queryByRole("alertdialog")).toBeNull();
  expect(backend.calls("DELETE", `/api/moments/${ALL[1]!.id}`)).toHaveLength(0);
  expect(document.activeElement).toBe(deleteButtons[1]);

  await userEvent.click(deleteButtons[1]!);
  await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(screen.getAllByTestId("moment")).toHaveLength(2));
  expect(backend.calls("DELETE", `/api/moments/${ALL[1]!.id}`)).toHaveLength(1);
  const left = (screen.getAllByRole("img") as HTMLImageElement[]).map((img) => img.src);
  expect(left).toEqual([ALL[0]!, ALL[2]!].map((m) => `${backend.url}${m.thumbnail_url}`));
});

test("selection order is the export order, shown on each tile", async () => {
  servePages(ALL.slice(0, 3));
  renderPage();
  const boxes = await screen.findAllByRole("checkbox");
  await userEvent.click(boxes[2]!);
  await userEvent.click(boxes[0]!);
  expect(screen.getByText("2 moments selected.")).toBeTruthy();
  const tiles = screen.getAllByTestId("moment");
  expect(tiles[2]!.querySelector(".badge")?.textContent).toBe("1");
  expect(tiles[0]!.querySelector(".badge")?.textContent).toBe("2");
});
