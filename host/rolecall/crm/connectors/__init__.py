"""CRM connectors behind one interface: Salesforce, Dynamics 365, HubSpot."""
