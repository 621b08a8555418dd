"""The pages, one module per part of the front desk."""
