"""Settings of the scheduler adapter (environment variables HOTLINE_SCHEDULER_*).

These are operational choices (when in the day, how often, how long to catch up);
the domain's numbers (16:00, the 1st/11th/21st, 25/30 days) come from the policy."""

from __future__ import annotations

import os
import socket
from datetime import time

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SchedulerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_SCHEDULER_", env_file=".env", extra="ignore")

    catch_up_grace_minutes: int = Field(
        default=120, ge=0, description="A run missed while down is made up at start-up if no older than this")
    reminder_interval_seconds: int = Field(default=300, ge=1, description="deadline_reminders sweep period")
    statistics_time: time = Field(default=time(9, 0), description="Time of day of handling_days_statistics")
    statistics_interval_days: int = Field(
        default=10, ge=1, description="With policy checks.statistics_anchor: every this many days from it")
    supervision_time: time = Field(default=time(9, 30), description="Time of day of supervision_weekly")
    routing_retrain_time: time = Field(
        default=time(2, 30),
        description="Monday's time of routing_retrain (a quiet hour: training takes a core)",
    )
    leader_retry_seconds: float = Field(
        default=5.0, gt=0, description="A follower tries to take the leader lock this often (takeover delay)")
    leader_check_seconds: float = Field(
        default=5.0, gt=0, description="The leader checks its lock connection this often")
    lock_key: int = Field(default=1_234_500_007, description="PostgreSQL advisory lock key of the scheduler")
    stop_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Wait this long for running jobs at stop"
    )
    instance: str = Field(default_factory=default_instance, description="Name of this process in job records")
