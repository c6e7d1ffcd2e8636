"""The office's standing checks, run by APScheduler 3.11 in Asia/Shanghai.

Jobs (names fixed; each calls one service function of tickets/ or knowledge_base/):
- duty_login_check          daily at policy checks.duty_login_deadline; acts on working days
                            (tickets.duty.run_duty_login_check)
- handling_days_statistics  the 1st/11th/21st (or every 10 days from checks.statistics_anchor)
                            (tickets.letters.run_handling_days_statistics)
- deadline_reminders        every HOTLINE_SCHEDULER_REMINDER_INTERVAL_SECONDS (300)
                            (tickets.reminders.send_deadline_reminders)
- supervision_weekly        daily; acts on the first working day of the week
                            (tickets.supervision.run_supervision_weekly)
- verification_prune        daily at 03:30; deletes one-time SMS codes past their retention
                            (tickets.verification.prune)
- whistle_report_in         every HOTLINE_SCHEDULER_REMINDER_INTERVAL_SECONDS; 吹哨报到 units late to
                            report in: reminded once, then reported to the office once
                            (tickets.whistles.run_report_in_check)
- routing_retrain           Mondays at HOTLINE_SCHEDULER_ROUTING_RETRAIN_TIME (02:30); trains the
                            unit router on the office's dispatch labels, promotes it only if it
                            beats the model in use (knowledge_base.classify.retrain.retrain)

Every run is a row of job_run (scheduler.models.JobRun); one leader among instances
(scheduler.leader); start and stop with `scheduler.runner.run_scheduler`; CLI in
scheduler.cli (`jobs list|run`, `letters list|show`).
"""
