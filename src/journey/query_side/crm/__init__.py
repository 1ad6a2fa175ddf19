"""Customer CRM: is the applicant already a customer, what do they hold, how to reach them."""
