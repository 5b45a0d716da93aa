"""The customer portal: online procedures, uploads with immediate inspection, Meine Vorgänge."""
