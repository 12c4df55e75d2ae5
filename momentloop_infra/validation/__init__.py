"""Offline validation of a synthesized project: Azure type checking, template consistency,
security and convention rules with reasoned suppressions, and reports for people and machines."""

from momentloop_infra.model.findings import Finding, Report
from momentloop_infra.validation.core import locate, problems_as_findings, validate_project

__all__ = ["Finding", "Report", "locate", "problems_as_findings", "validate_project"]
