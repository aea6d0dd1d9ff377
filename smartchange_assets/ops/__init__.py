"""Operations: alerts on failed runs and checks, concurrency pools per portal."""
