"""What each form does once its input is valid: decide, store, mail, and return the answer's body, one
module per feature (enquiry, subscription, your_data) over what they share (common). Domain exceptions
say what failed; the web layer turns them into statuses."""
