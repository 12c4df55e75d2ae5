import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { App } from "../App";
import { BackendDouble } from "../test/backendDouble";
import { installIntersectionObserver } from "../test/intersection";

let backend: BackendDouble;

beforeEach(async () => {
  installIntersectionObserver();
  backend = await new BackendDouble()
    .on("GET", "/api/moments", { status: 200, json: { items: [], next_cursor: null } })
    .start();
});
afterEach(() => backend.stop());

describe("sign-in page", () => {
  test("development sign-in only: the form, the notice, no Google link", async () => {
    backend.on("GET", "/api/auth/config", { status: 200, json: { google: false, dev_sign_in: true } });
    render(<App baseUrl={backend.url} />);
    expect(await screen.findByLabelText("Name or email")).toBeTruthy();
    expect(screen.getByText(/Google sign-in is not configured on this server: development sign-in only/)).toBeTruthy();
    expect(screen.queryByRole("link", { name: /Sign in with Google/ })).toBeNull();
  });

  test("Google configured: a link to the login route, no development form", async () => {
    backend.on("GET", "/api/auth/config", { status: 200, json: { google: true, dev_sign_in: false } });
    render(<App baseUrl={backend.url} />);
    const link = await screen.findByRole("link", { name: "Sign in with Google" });
    expect(link.getAttribute("href")).toBe("/api/auth/google/login");
    expect(screen.queryByLabelText("Name or email")).toBeNull();
    expect(screen.queryByText(/development sign-in only/)).toBeNull();
  });

  test("development sign-in posts the name, keeps the token in sessionStorage, and opens the grid", async () => {
    backend
      .on("GET", "/api/auth/config", { status: 200, json: { google: false, dev_sign_in: true } })
      .on("POST", "/api/auth/dev", { status: 200, json: { token: "tok-ada", user_id: "u1", expires_in: 3600 } });
    render(<App baseUrl={backend.url} />);
    await userEvent.type(await screen.findByLabelText("Name or email"), "ada@example.org{Enter}");
    expect(await screen.findByRole("heading", { name: "Your moments" })).toBeTruthy();
    expect(JSON.parse(backend.calls("POST", "/api/auth/dev")[0]!.body.toString())).toEqual({ name: "ada@example.org" });
    expect(sessionStorage.getItem("momentloop.token")).toBe("tok-ada");
    await waitFor(() => expect(backend.calls("GET", "/api/moments")).toHaveLength(1));
    expect(backend.calls("GET", "/api/moments")[0]!.headers.authorization).toBe("Bearer tok-ada");
    expect(screen.getByText("Signed in as ada@example.org")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByLabelText("Name or email")).toBeTruthy();
    expect(sessionStorage.getItem("momentloop.token")).toBeNull();
  });

  test("an empty name is refused in words, without a request", async () => {
    backend.on("GET", "/api/auth/config", { status: 200, json: { google: false, dev_sign_in: true } });
    render(<App baseUrl={backend.url} />);
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter a name or an email address to sign in.")).toBeTruthy();
    expect(backend.calls("POST", "/api/auth/dev")).toHaveLength(0);
  });

  test("the #token= fragment from the Google callback signs in and leaves the address bar", async () => {
    const claims = btoa(JSON.stringify({ sub: "g-1", email: "grace@example.org" })).replace(/=+$/, "");
    window.history.replaceState(null, "", `/#token=h.${claims}.s`);
    render(<App baseUrl={backend.url} />);
    expect(await screen.findByText("Signed in as grace@example.org")).toBeTruthy();
    expect(window.location.hash).toBe("");
    expect(sessionStorage.getItem("momentloop.token")).toBe(`h.${claims}.s`);
  });

  test("a token that names no one (only a user id) is not shown as a name", async () => {
    const claims = btoa(JSON.stringify({ sub: "oidc-2e33" })).replace(/=+$/, "");
    window.history.replaceState(null, "", `/#token=h.${claims}.s`);
    render(<App baseUrl={backend.url} />);
    expect(await screen.findByText("Signed in as your Google account")).toBeTruthy();
    expect(screen.queryByText(/oidc-2e33/)).toBeNull();
  });

  test("the #auth_error= fragment is explained on the sign-in page", async () => {
    backend.on("GET", "/api/auth/config", { status: 200, json: { google: true, dev_sign_in: false } });
    window.history.replaceState(null, "", "/#auth_error=state");
    render(<App baseUrl={backend.url} />);
    expect((await screen.findByRole("alert")).textContent).toMatch(/Sign-in expired or was started in another tab or browser/);
    expect(window.location.hash).toBe("");
    expect(sessionStorage.getItem("momentloop.token")).toBeNull();
  });

  test("a 401 from the API ends the session and says so", async () => {
    sessionStorage.setItem("momentloop.token", "stale");
    backend
      .on("GET", "/api/moments", { status: 401, json: { detail: "token expired" } })
      .on("GET", "/api/auth/config", { status: 200, json: { google: false, dev_sign_in: true } });
    render(<App baseUrl={backend.url} />);
    expect((await screen.findByRole("alert")).textContent).toBe("You have been signed out. Please sign in again.");
    expect(sessionStorage.getItem("momentloop.token")).toBeNull();
  });
});
