"""Fulfilment: what happens after the sale (docs/adr/0011-fulfilment-and-after-sales.md).
Shipments and their tracking by a carrier (``shipments``), after-sales requests, their answers
and arbitration (``aftersales``), and reviews (``reviews``). It sits above ``orders`` and
``payments``: it reads orders through ``orders.views``, moves them only through
``orders.services`` and moves money only through ``payments.services``. The order's page, the
buyer's hub for all of it, is here (:mod:`sunlit.fulfilment.pages`)."""
