package org.resvision.eval.report;

/** One section of the page: an anchor, a heading, its HTML and any CSS of its own. */
interface Section {

    /** The anchor the navigation links to (ASCII, unique in the page). */
    String id();

    /** The heading (plain text; escaped by the page). */
    String title();

    /** The section's content, HTML. */
    String body();

    /** CSS rules this section needs beyond the page's own (none by default). */
    default String css() {
        return "";
    }
}
