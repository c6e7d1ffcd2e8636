"""The domain core: models, workflow, calendar, deadlines and service functions."""
