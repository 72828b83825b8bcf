"""The council's performance report: which facts are indexed from each case, the KPIs the
database computes from them, and their charts and downloads (form_schemas/report/kpis.yaml)."""
