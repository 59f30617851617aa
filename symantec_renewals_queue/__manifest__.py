{
    "name": "Maintenance Renewals on the Job Queue",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "summary": "Spread the daily renewal run over OCA queue_job's workers and servers",
    "author": "Symantec Renewals Team",
    "website": "https://github.com/symantec-renewals/symantec_renewals",
    "license": "LGPL-3",
    "depends": ["symantec_renewals", "queue_job"],
    "data": ["data/queue_job_data.xml"],
    # The bridge between the two: there wherever both are installed. The run
    # goes on the queue only where a job runner runs (see the README).
    "auto_install": True,
}
