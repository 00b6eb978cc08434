"""党建看板: a performance dashboard for a sub-district party office."""
