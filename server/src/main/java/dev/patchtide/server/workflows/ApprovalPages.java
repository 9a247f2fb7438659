package dev.patchtide.server.workflows;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The pages approval links open. GET only shows what the link will do, with a button that POSTs it: mail scanners
 * and link previews fetch GETs, and must not approve anything. A link that is tampered with, expired, already used
 * or whose workflow no longer waits gets a page saying so, with a 4xx status.
 */
final class ApprovalPages {
    private final Approvals approvals;

    ApprovalPages(Approvals approvals) {
        this.approvals = approvals;
    }

    void routes(Javalin app) {
        app.get(ApprovalLinks.PATH + "/{id}/{decision}", ctx -> serve(ctx, false));
        app.post(ApprovalLinks.PATH + "/{id}/{decision}", ctx -> serve(ctx, true));
    }

    private void serve(Context ctx, boolean act) {
        String id = ctx.pathParam("id");
        String decision = ctx.pathParam("decision");
        String expires = Optional.ofNullable(ctx.queryParam("expires")).orElse("");
        String signature = Optional.ofNullable(ctx.queryParam("signature")).orElse("");
        Approvals.Answer answer =
                approvals.follow(id, decision, expires, signature, act, act ? ctx.formParam("by") : null);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Referrer-Policy", "no-referrer");
        switch (answer) {
            case Approvals.Answer.Ready r -> {
                String verb = r.decision().equals("approve") ? "Approve" : "Reject";
                page(
                        ctx,
                        200,
                        verb + "?",
                        "<p><strong>" + escape(r.subject() == null ? "" : r.subject()) + "</strong></p><pre>"
                                + escape(r.message()) + "</pre><form method=\"post\" action=\""
                                + escape(ctx.path() + "?" + ctx.queryString()) + "\"><label>Your name (optional)"
                                + " <input name=\"by\" maxlength=\"256\"></label> <button type=\"submit\">" + verb
                                + "</button></form>");
            }
            case Approvals.Answer.Done d ->
                page(
                        ctx,
                        200,
                        d.decision().equals("approve") ? "Approved" : "Rejected",
                        "<p>Thank you: the workflow has your answer.</p>");
            case Approvals.Answer.Refused r ->
                page(ctx, r.status(), "Link not usable", "<p>" + escape(r.text()) + "</p>");
        }
    }

    private static void page(Context ctx, int status, String title, String body) {
        ctx.status(status)
                .contentType("text/html; charset=utf-8")
                .result("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title)
                        + "</title></head><body><h1>" + escape(title) + "</h1>" + body + "</body></html>");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
