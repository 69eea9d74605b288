"""Notifications (通知): what each person is told in the site — an order to ship, a plan
decided, a parcel delivered — with a link to the page to act on. Fed by the event log: the
composition root (:mod:`sunlit.app.notices`) follows the log, names who is told, and writes
them here; this context knows accounts and nothing of the contexts whose events it tells."""
