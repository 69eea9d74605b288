"""After-sales: refund-only and return-and-refund requests under a policy that cites its
sources, the producer's answer, deadlines, and platform arbitration."""
